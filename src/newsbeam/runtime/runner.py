"""Choosing and configuring the Beam runner.

Measured with Beam 2.77: with no ``--runner`` (or ``DirectRunner``) Beam first tries to download a Prism binary and
silently falls back, so a cron host behind a firewall that drops packets would hang. Our default is therefore the
in-process ``FnApiRunner``, built directly, which makes no network attempt. ``--workers N`` (N >= 2) means
``multi_processing`` with N worker processes. ``multi_threading`` is refused: it silently lost rows at GroupByKey in
4 of 7 runs here.

Any other runner is chosen with Beam's own options after ``--`` (``-- --runner=PortableRunner
--job_endpoint=...``); the same graph runs there unchanged.

Private Beam API, on purpose, in one place: ``validate_beam_args`` builds Beam's own option parser
(``_BeamArgumentParser`` and each options class's ``_add_argparse_args``). The public alternative,
``PipelineOptions.get_all_options(retain_unknown_options=True)``, reports unknown ``--flags`` but silently drops stray
words (``-- PortableRunner`` without ``--runner=``) and logs a warning instead of failing, so a typo in a cron line
would run on the wrong runner (checked with Beam 2.77). ``FnApiRunner`` is imported from its public module.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, _BeamArgumentParser
from apache_beam.runners.portability.fn_api_runner import FnApiRunner


class BeamOptionsError(ValueError):
    """Unknown or invalid Beam pipeline options: a usage error."""


def validate_beam_args(args: list[str]) -> None:
    """Reject what Beam would silently discard: unknown options and the row-losing threading mode."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    seen = {}
    for cls in PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)  # noqa: SLF001 - Beam offers no public way to list its options
    try:
        known, unknown = parser.parse_known_args(args)
    except SystemExit as e:
        raise BeamOptionsError(f"invalid Beam options: {' '.join(args)}") from e
    if unknown:
        raise BeamOptionsError(f"unknown Beam option(s): {' '.join(unknown)}")
    if getattr(known, "direct_running_mode", None) == "multi_threading":
        raise BeamOptionsError("--direct_running_mode=multi_threading loses rows at GroupByKey; use --workers N")


def make_pipeline(workers: int, beam_args: list[str]) -> beam.Pipeline:
    validate_beam_args(beam_args)
    opts = PipelineOptions(beam_args)
    direct = opts.view_as(DirectOptions)
    runner_name = opts.get_all_options().get("runner")
    if runner_name:
        return beam.Pipeline(options=opts)
    if "default_sdk_harness_log_level" not in opts.get_all_options(drop_default=True):
        # Worker processes log every bundle at INFO on our stderr; cron logs want only what matters.
        opts = PipelineOptions([*beam_args, "--default_sdk_harness_log_level=WARNING"])
        direct = opts.view_as(DirectOptions)
    if workers > 1:
        direct.direct_num_workers = workers
        direct.direct_running_mode = "multi_processing"
    else:
        direct.direct_num_workers = 1
        direct.direct_running_mode = "in_memory"
    return beam.Pipeline(runner=FnApiRunner(), options=opts)
