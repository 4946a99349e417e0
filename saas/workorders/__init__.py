"""Work orders, jobs and lines, canned jobs, estimates approved online."""
