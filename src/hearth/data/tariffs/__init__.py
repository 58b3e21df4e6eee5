"""Products, tariffs, their effective-dated rates, and the agreements that put supply points on them."""
