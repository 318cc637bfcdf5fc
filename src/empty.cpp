// Placeholder translation unit for a part that has only headers so far.
