"""Official letters (Decree 30/2020/NĐ-CP): an approved or released statement issued as a numbered letter."""
