"""pumpcare: a dated recovery plan for people with an implanted intrathecal pain pump."""

__version__ = "0.1.0"
