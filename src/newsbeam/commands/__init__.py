"""The user's commands: `run` (the driver of one run), `maintenance` (compact, forget), `report`."""
