"""The core's GraphQL types. Each is a base that ``schema.build`` composes with plugin fields."""
