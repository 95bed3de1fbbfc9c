"""Summaries the bench reports share (report.py, report_why.py): a
median with its range over rounds, and that median read back."""
import statistics


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "n": len(values)}


def med(summary, label, key):
    """The median of KEY for LABEL in a {label: {key: stats}} summary."""
    s = summary.get(label, {}).get(key)
    return s["median"] if s else None


def idle_med(idle, label, rate, key):
    """The same in section idle's {label: {rate: {key: stats}}}."""
    s = idle.get(label, {}).get(rate, {}).get(key)
    return s["median"] if s else None
