"""Python tooling of the energy warehouse: source contract, data generator, checks, exports."""
