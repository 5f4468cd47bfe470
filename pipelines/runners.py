"""Runner selection, and a DirectRunner that never tries Prism.

`runner_args` fills in what a runner needs and nobody should have to type: this module's
DirectRunner by default (`local_defaults`: in-process for small inputs, one worker process per
core from 64 MiB of feeds on), the embedded job service for `--runner PortableRunner`, and
`pipelines.dask_runner.DaskRunner` (Beam 2.77's DaskRunner fixed at the root) for `--runner
DaskRunner`. That module, and dask with it, is imported only when the run takes it (dask and
distributed took 0.3 s of every run's start).
"""

from __future__ import annotations

import difflib
import importlib.util
import logging
import os
from typing import Any, Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineRunner

from pipelines import warm
from pipelines.even_split import evenly_split
from pipelines.local_mode import worker_processes

LOCAL_DEFAULTS = {"runner": "DirectRunner", "direct_running_mode": "in_memory"}
PORTABLE_DEFAULTS = {"job_endpoint": "embed", "environment_type": "LOOPBACK"}
# What a runner name means here: the classes below, not Beam's of the same name
RUNNER_CLASSES = {"DirectRunner": "pipelines.runners.DirectRunner", "DaskRunner": "pipelines.dask_runner.DaskRunner"}


def _flag_values(args: Sequence[str]) -> dict[str, str]:
    """--key=value and --key value pairs of a Beam argument list (the last one wins)."""
    out: dict[str, str] = {}
    for i, arg in enumerate(args):
        if arg.startswith("--"):
            key, eq, value = arg[2:].partition("=")
            if not eq:
                value = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("--") else ""
            out[key] = value
    return out


def unknown_flags(args: Sequence[str]) -> list[str]:
    """The arguments no Beam option class knows (Beam's own, every runner's, this project's), each
    with the known flag it most resembles. Beam only logs them and runs on: a mistyped runner
    flag ran on the default runner, a mistyped `--country` screened every country."""
    parser = _beam_parser(args)
    _, unknown = parser.parse_known_args(list(args))
    if unknown and _installed("distributed"):  # the Dask options register when dask is imported; a run only
        from apache_beam.runners.dask import dask_runner  # noqa: F401  # imports it for the DaskRunner

        parser = _beam_parser(args)
        _, unknown = parser.parse_known_args(list(args))
    known = [flag for action in parser._actions for flag in action.option_strings]
    out = []
    for arg in unknown:
        close = difflib.get_close_matches(arg.split("=", 1)[0], known, n=1) if arg.startswith("--") else []
        out.append(f"{arg} (did you mean {close[0]}?)" if close else arg)
    return out


def runner_unavailable(args: Sequence[str]) -> Optional[str]:
    """Why the runner `args` choose cannot run here, or None: the DaskRunner needs the `dask`
    extra, which a plain install leaves out."""
    if _flag_values(runner_args(args)).get("runner") == RUNNER_CLASSES["DaskRunner"] and not _installed("distributed"):
        return "--runner DaskRunner needs dask.distributed: pip install -c constraints.txt -e '.[dask]'"
    return None


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _beam_parser(args: Sequence[str]) -> Any:
    """The argument parser Beam parses `args` with: every option class registered so far."""
    parsers: list[Any] = []
    PipelineOptions(list(args)).get_all_options(add_extra_args_fn=parsers.append)
    return parsers[0]


def local_defaults(input_bytes: int = 0, cores: Optional[int] = None) -> dict[str, str]:
    """The DirectRunner's settings: in-process for small inputs, one worker process per core for
    large (`local_mode`)."""
    workers = worker_processes(input_bytes, cores)
    if not workers:
        return dict(LOCAL_DEFAULTS)
    return {"runner": "DirectRunner", "direct_running_mode": "multi_processing", "direct_num_workers": str(workers)}


def local_workers(options: PipelineOptions) -> Optional[int]:
    """How many worker processes or threads the local DirectRunner runs (None for other runners)."""
    runner = options.view_as(StandardOptions).runner
    if runner is not None and _our_class(runner.rsplit(".", 1)[-1]) != RUNNER_CLASSES["DirectRunner"]:
        return None
    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode == "in_memory":
        return 1
    return direct.direct_num_workers or os.cpu_count() or 1


def template_workers(options: PipelineOptions) -> int:
    """How many worker processes of a run with `options` come from a template started with the
    run (`pipelines.warm`): the local DirectRunner's, in its multi-process mode; else 0."""
    workers = local_workers(options)
    multi = options.view_as(DirectOptions).direct_running_mode == "multi_processing"
    return workers if workers and multi and warm.supported() else 0


def _our_class(runner: str) -> Optional[str]:
    """This project's class for a runner name, read as Beam reads names (any case, "Runner" optional)."""
    name = runner.lower().removesuffix("runner")
    return next((path for key, path in RUNNER_CLASSES.items() if key.lower().removesuffix("runner") == name), None)


def runner_args(beam_args: Sequence[str], local: Optional[dict[str, str]] = None) -> list[str]:
    """Beam arguments as given, with the runner's defaults added and aliases resolved."""
    args = list(beam_args)
    given = _flag_values(args)
    runner = given.get("runner")
    if runner is None:
        defaults = dict(local or LOCAL_DEFAULTS)
        if "direct_running_mode" in given:  # the mode given decides; its worker count is Beam's
            defaults.pop("direct_num_workers", None)
        args += [f"--{k}={v}" for k, v in defaults.items() if k not in given]
        runner = defaults["runner"]
    elif runner == "PortableRunner":
        args += [f"--{k}={v}" for k, v in PORTABLE_DEFAULTS.items() if k not in given]
    ours = _our_class(runner)
    if ours:
        args = [a for i, a in enumerate(args) if not (a.startswith("--runner") or (i and args[i - 1] == "--runner"))]
        args.append(f"--runner={ours}")
    return args


# --- the DirectRunner ---------------------------------------------------------------------


class DirectRunner(PipelineRunner):
    """Beam's DirectRunner for a batch pipeline — its FnApiRunner, with the pipeline options
    handed to the workers as Beam's DirectRunner hands them — without the PrismRunner that Beam
    2.77's DirectRunner tries first. With network, that attempt downloads the Prism binary
    and runs the job there, which takes neither `--direct_running_mode` nor
    `--direct_num_workers` and is not the runner this project is tested on; without network it
    fails and falls back. `--runner PrismRunner` still chooses Prism."""

    def run_pipeline(self, pipeline: beam.Pipeline, options: PipelineOptions) -> Any:
        with evenly_split():
            return self._run(pipeline, options)

    def _run(self, pipeline: beam.Pipeline, options: PipelineOptions) -> Any:
        from apache_beam.portability.api import beam_provision_api_pb2
        from apache_beam.runners.portability.fn_api_runner import fn_runner
        from apache_beam.runners.portability.portable_runner import JobServiceHandle

        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
        provision = fn_runner.ExtendedProvisionInfo(beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded))
        direct = options.view_as(DirectOptions)
        template = warm.active() if direct.direct_running_mode == "multi_processing" else None
        if template is None:
            return fn_runner.FnApiRunner(provision_info=provision).run_pipeline(pipeline, options)
        # The workers of the run's template (pipelines.warm): Beam's multi-process mode with its
        # worker command in place of `python -m ...sdk_worker_main`. FnApiRunner takes a worker
        # environment only outside that mode, so the mode is set aside for the call (the workers
        # still get the options as given, above).
        from apache_beam.transforms.environments import SubprocessSDKEnvironment

        runner = fn_runner.FnApiRunner(default_environment=SubprocessSDKEnvironment.from_command_string(template.command),
                                       provision_info=provision)  # fmt: skip
        direct.direct_running_mode = "in_memory"
        quiet = _Without("direct_running_mode should be")  # its warning about that mode and a worker count
        logging.getLogger(fn_runner.__name__).addFilter(quiet)
        try:
            return runner.run_pipeline(pipeline, options)
        finally:
            direct.direct_running_mode = "multi_processing"
            logging.getLogger(fn_runner.__name__).removeFilter(quiet)


class _Without(logging.Filter):
    """Drops the log records whose message contains `text`."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self._text not in record.getMessage()
