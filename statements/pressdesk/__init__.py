"""Questions from the press: a register, answered by a statement through the lifecycle or refused on a lawful ground."""
