"""Initiatives (举措/机制/专项行动/项目): what a scheme runs, owned by a unit."""
