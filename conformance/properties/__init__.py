"""The property layer: schemathesis generates requests from the contract; the same checks judge the answers."""
