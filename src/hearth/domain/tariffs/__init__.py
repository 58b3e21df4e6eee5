"""Products, tariffs, effective-dated rates and agreements: creating them, changing prices, reading them."""
