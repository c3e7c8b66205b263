import PulkStore

/// Reading every page of a paged listing (runs, histories, experiments, versions), local or remote.
enum Pages {
    /// The items of every page, stopping once `limit` are in hand. `fetch` gets the token of the page
    /// to read (nil for the first) and how many items are already collected; an empty next token ends it.
    static func collect<T>(limit: Int = .max, _ fetch: (_ token: String?, _ have: Int) async throws(StoreError) -> (items: [T], next: String?))
        async throws(StoreError) -> [T] {
        var out: [T] = [], token: String?
        repeat {
            let page = try await fetch(token, out.count)
            out += page.items
            token = page.next.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil && out.count < limit
        return out
    }
}

extension Page {
    var pair: (items: [T], next: String?) { (items, nextPageToken) }
}
