"""Batch export: many files, one recipe and preset, in parallel, resumable, with a report."""

from .inputs import expand_inputs
from .lock import FolderBusy
from .naming import DEFAULT_TEMPLATE, OutputTemplate
from .runner import REPORT_NAME, BatchReport, BatchSpec, MixedSettings, PlanItem, plan_batch, run_batch

__all__ = ["DEFAULT_TEMPLATE", "REPORT_NAME", "BatchReport", "BatchSpec", "FolderBusy", "MixedSettings",
           "OutputTemplate", "PlanItem", "expand_inputs", "plan_batch", "run_batch"]
