"""Vietnamese number style shared by the CLI, the generator's messages and the dashboard: 1.234.567."""


def count(value: int | float) -> str:
    return f"{value:,.0f}".replace(",", ".")
