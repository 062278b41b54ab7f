"""A unit's record: the commendations its leaders give, beside the violations its disclosure cases found."""
