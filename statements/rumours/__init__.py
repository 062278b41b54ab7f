"""Information seen outside about a unit: rumours and fake news, triaged, matched, corrected and reported up."""
