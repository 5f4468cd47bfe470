"""Even splits of a stage's input among the local runner's worker processes.

Beam 2.77's FnApiRunner gives each of its N workers a part of a stage's input. An input an
earlier stage wrote is a list of chunks as the workers sent them: a worker's data channel
sends 10 MB at a time, then the rest when its bundle ends. The runner deals out whole chunks,
k, k+N, k+2N, … to worker k, whatever their sizes. When one worker's chunks came in before
the other's, worker 0 got both 10 MB chunks and worker 1 the two small ends. At 1M
transactions the alert join (JoinBackAlerts) then ran on one core for ~3 s while the other
waited. Which order the chunks came in was chance, so the same run was 0–3 s slower.

`even_parts` splits by bytes instead: part k is the elements that lie mostly within the k-th
N-th of the input's bytes, in order. A chunk that lies within one part's bytes goes whole;
only a chunk that straddles a boundary is decoded, to cut it between two elements. So at most
N - 1 chunks are decoded, and the parts differ by at most one element. `evenly_split` puts it
in place of the runner's split for the length of a run.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

Decode = Callable[[Any], Any]  # reads one element from a Beam InputStream


def even_parts(chunks: Sequence[bytes], n: int, decode: Decode) -> list[list[bytes]]:
    """`chunks` (each a run of encoded elements) as `n` parts of about equal bytes, in order;
    `decode` reads one element from a stream, to find where elements end."""
    from apache_beam.coders.coder_impl import create_InputStream

    total = sum(map(len, chunks))
    parts: list[list[bytes]] = [[] for _ in range(n)]

    def part_at(byte: float) -> int:  # the part a byte position falls in
        return min(n - 1, int(byte * n / total)) if total else 0

    start = 0
    for chunk in chunks:
        end = start + len(chunk)
        if not chunk or part_at(start) == part_at(end - 1):
            parts[part_at(start)].append(chunk)
        else:  # cut at element boundaries: an element goes to the part its middle byte is in
            stream, cut, owner = create_InputStream(chunk), 0, part_at(start)
            while stream.size() > 0:
                at = len(chunk) - stream.size()
                decode(stream)
                after = len(chunk) - stream.size()
                mine = part_at(start + (at + after - 1) / 2)
                if mine != owner:
                    if at > cut:
                        parts[owner].append(chunk[cut:at])
                    cut, owner = at, mine
            parts[owner].append(chunk[cut:])
        start = end
    return parts


def _even_partition(self: Any, n: int) -> list[list[bytes]]:
    """ListBuffer.partition, split by bytes when there are at least `n` chunks (Beam's own code
    handles fewer: it deals out single elements)."""
    if self.cleared or len(self._inputs) < n:
        return _BEAM_PARTITION[0](self, n)
    return even_parts(self._inputs, n, lambda stream: self._coder_impl.decode_from_stream(stream, True))


_BEAM_PARTITION: list[Callable[..., list[list[bytes]]]] = []


@contextlib.contextmanager
def evenly_split() -> Iterator[None]:
    """The FnApiRunner splits earlier stages' output among its workers with `even_parts` while
    the block runs (runs in this process are one at a time: a nested block changes nothing)."""
    from apache_beam.runners.portability.fn_api_runner.execution import ListBuffer

    if _BEAM_PARTITION:
        yield
        return
    _BEAM_PARTITION.append(ListBuffer.partition)
    ListBuffer.partition = _even_partition  # type: ignore[method-assign]
    try:
        yield
    finally:
        ListBuffer.partition = _BEAM_PARTITION.pop()  # type: ignore[method-assign]
