"""`lastmile whatif`: today's policies and a proposed one, run side by side over the
coming months on throw-away copies of the live database (issue 14)."""
