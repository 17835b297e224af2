"""Stepper widgets (ipywidgets). ``import ext4io_teach`` never imports this subpackage.

* ``StepperController`` (``controller.py``): the logic, no widgets; every button is a method.
* ``Stepper`` (``stepper.py``): the ipywidgets view; imported on first use, so the controller,
  the renderer and their tests need no ipywidgets.
"""

from __future__ import annotations

from .controller import StepperController

__all__ = ["Stepper", "StepperController"]


def __getattr__(name):
    if name == "Stepper":
        from .stepper import Stepper
        return Stepper
    raise AttributeError(name)
