"""The `pressgate` command: Flask's command group over the app factory, plus PressGate's own commands."""
