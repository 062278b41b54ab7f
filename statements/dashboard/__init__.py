"""The leaders' dashboard: what waits on whom and for how long, who is late, how fast statements go out."""
