"""Reading, checking and loading sector extracts into the warehouse's ``raw`` schema."""
