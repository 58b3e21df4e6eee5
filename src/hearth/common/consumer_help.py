"""Free, independent help a customer is told about: one place for the numbers, so a bill and a letter never differ.

Both come from public sources and change rarely; when one changes, change it here.
"""

from typing import Final

CITIZENS_ADVICE: Final = {
    "name": "Citizens Advice consumer service",
    "website": "www.citizensadvice.org.uk/energy",
    "phone": "0345 404 0506",
}
"""Free, independent advice for energy consumers, as T&C 21.1 gives it (the "Know your rights" section)."""

ENERGY_OMBUDSMAN: Final = {
    "name": "Energy Ombudsman",
    "website": "www.energyombudsman.org",
    "phone": "0330 440 1624",
}
"""The Energy Ombudsman's public contact details (DOMAIN.md: complaints). Free to the customer; it can be asked
after 8 weeks or on a final response (a deadlock letter), within 12 months of that response."""
