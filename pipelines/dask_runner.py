"""A DaskRunner that fixes Beam 2.77's DaskRunner at the root.

Beam 2.77's DaskRunner translates the pipeline into dask.bag operations. As shipped it gives
wrong output for this pipeline. `DaskRunner` below keeps Beam's overrides, options and result
type and replaces the translation; each numbered fix has a test that fails on the stock
runner and passes on this one (tests/pipelines/test_runners.py):

1. outputs emitted in `finish_bundle` were dropped (a bundle's results were taken before
   `finish_bundle` ran): every file sink wrote nothing, `BatchElements` lost each bundle's
   last batch. A bundle now returns what was emitted up to and including `finish_bundle`.
2. only the last leaf bag of the graph was computed. Every PCollection nobody consumes is now
   computed, in one `client.compute` call, so shared upstream work runs once.
3. `Read` had no translation (a no-op), and its override could not even be applied (the
   stock `_Read` asks its PBegin for a windowing). A bounded source is now split, each split
   read in a task.
4. DoFns with only `process_batch` raised NotImplementedError. Elements are now handed to
   them in batches made by the DoFn's own input batch converter.
5. tagged outputs were not routed: every consumer of a multi-output ParDo got all outputs.
6. a side input was recomputed inside each task that read it (`list(bag)` on the worker),
   re-running its upstream side effects (a file sink's `initialize_write` ran once per
   reader). It is now one graph dependency, computed once.
7. `Reshuffle` did not redistribute, and `_GroupAlsoByWindow` was a no-op (windows merged in
   a GroupByKey). Reshuffle now repartitions over the cluster's threads; GroupAlsoByWindow
   runs as the ParDo it is.

Without `--dask_client_address`, the runner starts a LocalCluster with one worker process
per core and closes it (and its client) when the run ends.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, Optional, Sequence

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.internal import pickler
from apache_beam.io.iobase import BoundedSource
from apache_beam.pipeline import AppliedPTransform, PipelineVisitor, PTransformOverride
from apache_beam.runners.common import DoFnRunner, Receiver
from apache_beam.runners.dask import dask_runner
from apache_beam.runners.dask.overrides import _Create, _Flatten, _GroupByKeyOnly, _Reshuffle, dask_overrides
from apache_beam.transforms.sideinputs import SideInputMap
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.windowed_value import WindowedBatch, WindowedValue

PROCESS_BATCH_SIZE = 1024  # elements per process_batch call



class _Receiver(Receiver):
    """Collects one output tag of a bundle as (tag, WindowedValue) pairs."""

    def __init__(self, tag: Optional[str], out: list, explode: Any) -> None:
        self._tag, self._out, self._explode = tag, out, explode

    def receive(self, windowed_value: WindowedValue) -> None:
        self._out.append((self._tag, windowed_value))

    def receive_batch(self, windowed_batch: WindowedBatch) -> None:
        self._out.extend((self._tag, wv) for wv in windowed_batch.as_windowed_values(self._explode))


class _Receivers(dict):
    def __init__(self, out: list, explode: Any) -> None:
        super().__init__()
        self._out, self._explode = out, explode

    def __missing__(self, tag):
        receiver = self[tag] = _Receiver(tag, self._out, self._explode)
        return receiver


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_bundle(items: Iterable[WindowedValue], payload: bytes, views: Sequence[tuple], *side_values: list) -> list:
    """One dask partition through one DoFn, as a Beam bundle: setup, start, process, finish."""
    fn, args, kwargs, windowing, label = pickler.loads(payload)  # a fresh DoFn for every bundle
    sides = [SideInputMap(view, options, values) for (view, options), values in zip(views, side_values)]
    out: list = []
    converter = getattr(fn, "output_batch_converter", None)
    receivers = _Receivers(out, converter.explode_batch if converter else None)
    runner = DoFnRunner(fn, args, kwargs, sides, windowing, tagged_receivers=receivers, step_name=label)
    runner.setup()
    runner.start()
    if fn._process_batch_defined and not fn._process_defined:
        produce = fn.input_batch_converter.produce_batch
        for chunk in _chunks(items, PROCESS_BATCH_SIZE):
            for batch in WindowedBatch.from_windowed_values(chunk, produce_fn=produce):
                runner.process_batch(batch)
    else:
        for item in items:
            runner.process(item)
    runner.finish()
    runner.teardown()
    return out


class _ReadBounded(beam.PTransform):
    """`Read` of a bounded source as a primitive (the stock `_Read` fails: PBegin has no windowing)."""

    def __init__(self, source: BoundedSource) -> None:
        super().__init__()
        self.source = source

    def expand(self, pbegin):
        return pvalue.PCollection(pbegin.pipeline, is_bounded=True)

    def get_windowing(self, inputs):
        return beam.Windowing(GlobalWindows())


class _ReadOverride(PTransformOverride):
    def matches(self, applied_ptransform: AppliedPTransform) -> bool:
        transform = applied_ptransform.transform
        return type(transform) is beam.io.Read and isinstance(transform.source, BoundedSource)

    def get_replacement_transform_for_applied_ptransform(self, applied_ptransform: AppliedPTransform):
        return _ReadBounded(applied_ptransform.transform.source)


def overrides() -> list[PTransformOverride]:
    """Beam's Dask overrides, with `Read` replaced by one that works."""
    return [_ReadOverride()] + [o for o in dask_overrides() if type(o).__name__ != "ReadOverride"]


def _read_splits(splits: Iterable[Any]) -> Iterator[WindowedValue]:
    for split in splits:
        tracker = split.source.get_range_tracker(split.start_position, split.stop_position)
        for value in split.source.read(tracker):
            yield GlobalWindows.windowed_value(value)


def _group(pairs: Iterable[tuple[Any, list]]) -> Iterator[WindowedValue]:
    for key, items in pairs:
        yield GlobalWindows.windowed_value((key, [wv.value[1] for wv in items]))


def _concat(parts: Iterable[list]) -> list:
    return [x for part in parts for x in part]


class _BagVisitor(PipelineVisitor):
    """Translates each primitive transform into dask.bag operations, one bag per PCollection."""

    def __init__(self, bag_kwargs: dict, parallelism: int) -> None:
        self.bags: dict[pvalue.PCollection, Any] = {}
        self.consumed: set[pvalue.PCollection] = set()
        self._sides: dict[pvalue.PCollection, Any] = {}
        self._bag_kwargs = bag_kwargs
        self._parallelism = max(1, parallelism)

    def leaves(self) -> list:
        return [bag for pcoll, bag in self.bags.items() if pcoll not in self.consumed]

    def visit_transform(self, node: AppliedPTransform) -> None:
        import dask.bag as db

        inputs = [p for p in node.inputs if isinstance(p, pvalue.PCollection)]
        self.consumed.update(inputs)
        self.consumed.update(si.pvalue for si in node.side_inputs)
        bags = [self.bags[p] for p in inputs]
        transform = node.transform
        if isinstance(transform, beam.ParDo):
            self._pardo(node, bags[0])
            return
        if isinstance(transform, _Create):
            out = self._from_sequence([GlobalWindows.windowed_value(v) for v in transform.values])
        elif isinstance(transform, beam.Impulse):
            out = db.from_sequence([GlobalWindows.windowed_value(b"")], npartitions=1)
        elif isinstance(transform, _ReadBounded):
            splits = list(transform.source.split(desired_bundle_size=64 << 20))
            out = db.from_sequence(splits, npartitions=max(1, len(splits))).map_partitions(_read_splits)
        elif isinstance(transform, _Reshuffle):
            out = bags[0].repartition(npartitions=max(bags[0].npartitions, 2 * self._parallelism))
        elif isinstance(transform, _GroupByKeyOnly):
            out = bags[0].groupby(lambda wv: wv.value[0], shuffle="tasks").map_partitions(_group)  # no local disk
        elif isinstance(transform, _Flatten):
            out = db.concat(bags) if bags else db.from_sequence([], npartitions=1)
        else:
            raise NotImplementedError(f"DaskRunner cannot run {type(transform).__name__} ({node.full_label})")
        for pcoll in node.outputs.values():
            self.bags[pcoll] = out

    def _from_sequence(self, items: list):
        import dask.bag as db

        npartitions, size = self._bag_kwargs.get("npartitions"), self._bag_kwargs.get("partition_size")
        if not npartitions and not size:
            npartitions = max(1, min(len(items), 2 * self._parallelism))
        return db.from_sequence(items, npartitions=npartitions, partition_size=size)

    def _side(self, pcoll: pvalue.PCollection):
        """A side input as one computed value (a list of WindowedValues) every task receives."""
        if pcoll not in self._sides:  # a Delayed on the bag's own keys: dask finalizes (copies) an Item per use
            import dask

            parts = self.bags[pcoll].to_delayed(optimize_graph=False)
            self._sides[pcoll] = dask.delayed(_concat, pure=True)(parts)
        return self._sides[pcoll]

    def _pardo(self, node: AppliedPTransform, bag) -> None:
        transform = node.transform
        main = node.inputs[0]
        payload = pickler.dumps((transform.fn, transform.args, transform.kwargs, main.windowing, node.full_label))
        views = [(type(si), si._view_options()) for si in node.side_inputs]
        sides = [self._side(si.pvalue) for si in node.side_inputs]
        out = bag.map_partitions(run_bundle, payload, views, *sides)
        for tag, pcoll in node.outputs.items():  # tag None is the main output
            self.bags[pcoll] = out.filter(lambda pair, t=tag: pair[0] == t).map(lambda pair: pair[1])


class _DaskResult(dask_runner.DaskRunnerResult):
    """Waits for every leaf, then closes the client (and the local cluster it started)."""

    def __init__(self, client, futures, cluster=None) -> None:
        super().__init__(client, futures)
        self._cluster = cluster

    def wait_until_finish(self, duration=None) -> str:
        try:
            return super().wait_until_finish(duration)
        finally:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()


class DaskRunner(dask_runner.DaskRunner):
    """Beam's DaskRunner with the translation fixed (see the module docstring)."""

    def run_pipeline(self, pipeline, options):
        import dask.distributed as ddist

        dask_options = options.view_as(dask_runner.DaskOptions).get_all_options(drop_default=True, current_only=True)
        bag_kwargs = dask_runner.DaskOptions._extract_bag_kwargs(dask_options)
        cluster = None
        if not dask_options.get("address") and not dask_options.get("scheduler_file"):
            cluster = ddist.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                         dashboard_address=None)  # fmt: skip
            dask_options["address"] = cluster.scheduler_address
        client = ddist.Client(**dask_options)
        pipeline.replace_all(overrides())
        visitor = _BagVisitor(bag_kwargs, sum(client.nthreads().values()))
        pipeline.visit(visitor)
        futures = client.compute([leaf.count() for leaf in visitor.leaves()])
        return _DaskResult(client, futures, cluster)
