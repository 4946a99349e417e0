"""The platform console on admin.<host>."""
