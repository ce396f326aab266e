"""The side panels and bars: each takes set_* calls in and sends signals out."""
