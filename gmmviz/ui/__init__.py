"""The desktop app's widgets (Qt). Imports point one way: ui -> controller -> core."""
