"""The district treem serves (docs/domain.md §1): quận Hà Đông, Hà Nội."""

DISTRICT_CODE = "268"
