// Public because the conformances are of public types from our libraries.
public import ArgumentParser
public import OtklikHTTP
public import OtklikStore

extension StoreDurability: ExpressibleByArgument {}
extension APIRole: ExpressibleByArgument {}
