"""`trueppm demo`: a realistic program loaded through the services, for a first look."""

from app.demo.loader import DEMO_EMAIL, DemoResult, drain_schedules, load_demo
from app.demo.text import instructions

__all__ = ["DEMO_EMAIL", "DemoResult", "drain_schedules", "instructions", "load_demo"]
