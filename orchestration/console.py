"""A quiet console logger for runs: one line per step started and finished, and the assets' own notes."""

import logging
import sys

import dagster as dg

_STEP_EVENTS = {"STEP_START": "▶ bắt đầu", "STEP_SUCCESS": "✓ xong", "STEP_FAILURE": "✗ LỖI"}


class _ProgressFilter(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        if event is not None:
            label = _STEP_EVENTS.get(event.event_type_value)
            if label is None:
                return False
            record.msg, record.args = f"{label:<10} {step}", ()
            if event.event_type_value == "STEP_FAILURE":
                record.msg += f": {meta.get('orig_message', '')}"
            return True
        if record.levelno >= self.level:
            record.msg, record.args = f"  {step}: {meta.get('orig_message', record.getMessage())}", ()
            return True
        return False


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Step progress and asset notes, without Dagster's debug events.",
)
def treem_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("treem.run")
    logger.setLevel(logging.DEBUG)  # step events arrive at DEBUG; the filter keeps what is worth a line
    level = logging.getLevelName(init_context.logger_config["log_level"])
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler(sys.__stdout__)  # treem run sends other output to a log file
        handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
        handler.addFilter(_ProgressFilter(level))
        logger.addHandler(handler)
    return logger
