"""Operations around the day-ahead plan: curtailment events for multi-day simulations and site planning
(``energyopt.ops.events``). Import the modules themselves; this package imports nothing on its own."""
