"""treem: the data platform behind Hà Đông's yearly plan for its children."""
