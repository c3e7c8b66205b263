import Foundation
import Testing
@testable import PulkSQL
@testable import PulkStore

/// Registry webhooks: the same contract on every backend.
@Suite("Webhook store contract")
struct WebhookStoreContractTests {
    static let backends = StoreBackend.available

    @Test(arguments: backends)
    func lifecycle(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let created = try await store.createWebhook(name: "ci-deploy", url: "https://ci.example.com/hook", events: [.modelVersionCreated, .aliasCreated],
                                                    description: "deploy on new versions", secret: "s3cret", status: .active)
        #expect(created.id.count == 32 && created.secret == "s3cret" && created.status == .active)
        #expect(try await store.webhook(id: created.id) == created)

        // Only active hooks that subscribe to the event.
        let quiet = try await store.createWebhook(name: "quiet", url: "https://q.example.com", events: [.modelVersionCreated], description: "",
                                                  secret: "", status: .disabled)
        #expect(try await store.webhooks(for: .modelVersionCreated).map(\.id) == [created.id])
        #expect(try await store.webhooks(for: .registeredModelCreated).isEmpty)

        // Partial updates leave the rest as it was.
        let updated = try await store.updateWebhook(id: quiet.id, WebhookChange(events: [.registeredModelCreated, .registeredModelCreated], status: .active))
        #expect(updated.name == "quiet" && updated.url == "https://q.example.com" && updated.status == .active)
        #expect(try await store.webhook(id: quiet.id).events == [.registeredModelCreated])
        #expect(try await store.webhooks(for: .registeredModelCreated).map(\.id) == [quiet.id])

        // Paging, newest first.
        for i in 0..<3 { _ = try await store.createWebhook(name: "h\(i)", url: "https://h.example.com", events: [.aliasDeleted], description: "", secret: "", status: .active) }
        let first = try await store.listWebhooks(maxResults: 2, pageToken: nil)
        let rest = try await store.listWebhooks(maxResults: 10, pageToken: try #require(first.nextPageToken))
        #expect(first.items.count == 2 && rest.items.count == 3 && rest.nextPageToken == nil)
        #expect(Set((first.items + rest.items).map(\.id)).count == 5)

        try await store.deleteWebhook(id: created.id)
        await #expect(throws: StoreError.self) { _ = try await store.webhook(id: created.id) }
        await #expect(throws: StoreError.self) { try await store.deleteWebhook(id: created.id) }
    }

    @Test("Names, events and page sizes are checked", arguments: backends)
    func refusals(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for bad in ["", "-lead", "trail.", "has space", String(repeating: "a", count: 64), "ünï"] {
            await #expect(throws: StoreError.self, "\(bad)") {
                _ = try await store.createWebhook(name: bad, url: "https://x.example", events: [.aliasCreated], description: "", secret: "", status: .active)
            }
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.createWebhook(name: "ok", url: "https://x.example", events: [], description: "", secret: "", status: .active)
        }
        await #expect(throws: StoreError.self) { _ = try await store.listWebhooks(maxResults: 0, pageToken: nil) }
        await #expect(throws: StoreError.self) { _ = try await store.listWebhooks(maxResults: 1001, pageToken: nil) }
        await #expect(throws: StoreError.self) { _ = try await store.updateWebhook(id: "missing", WebhookChange(name: "x")) }
    }

    @Test("Events: MLflow's registry events, by entity and action in any case, or as text")
    func events() throws {
        #expect(try WebhookEvent(entity: "MODEL_VERSION", action: "CREATED") == .modelVersionCreated)
        #expect(try WebhookEvent("model_version_alias.deleted") == .aliasDeleted)
        #expect(WebhookEvent.all.map(\.description) == ["registered_model.created", "model_version.created", "model_version_tag.set",
                                                       "model_version_tag.deleted", "model_version_alias.created", "model_version_alias.deleted"])
        for bad in ["model_version.deleted", "prompt.created", "model_version", "a.b.c", ""] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try WebhookEvent(bad) }
        }
    }
}
