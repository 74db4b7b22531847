import OtklikCore

enum OpenAPIDocument {
    static func build(config: AppConfiguration, taxonomy: Taxonomy) -> JSONValue {
        ["openapi": "3.0.3", "info": ["title": "Otklik", "version": "1.0.0"], "paths": [:]]
    }
}
