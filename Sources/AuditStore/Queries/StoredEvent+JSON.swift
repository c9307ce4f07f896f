extension StoredEvent {
    /// An event from a store that keeps its attributes as the flat JSON objects this store writes (the
    /// fleet's PostgreSQL): the attribute set and the per-event extras, merged back in key order.
    public init(timeNano: Int64, type: String, action: String, detail: String?, actorID: String, attributesJSON: String, extraJSON: String?,
                scope: String?, source: EventSource, project: String?, service: String?) {
        var attributes = AttributeJSON.parse(attributesJSON)
        if let extraJSON { attributes = AttributeJSON.merge(attributes, AttributeJSON.parse(extraJSON)) }
        self.init(timeNano: timeNano, type: type, action: action, detail: detail, actorID: actorID, attributes: attributes,
                  scope: scope ?? "local", source: source, project: project, service: service)
    }
}
