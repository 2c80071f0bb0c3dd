"""Moving in (IMP-1, IMP-2): readers of other systems' exports (lastmile, sonar, powercode, splynx)."""
