"""The factory's load: resource groups, company holidays, load entries, capacity and fit."""
