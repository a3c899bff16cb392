"""Okabe–Ito colours, readable with the common colour-vision deficiencies."""

BLUE = "#0072B2"
SKY = "#56B4E9"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#8C8C8C"
LIGHT = "#EEF2F6"
INK = "#1A1A1A"

#: An ordered list for categories (types, models, …).
CATEGORICAL = (BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, GREY)
