import Foundation

/// The content type an artifact download carries, as MLflow's server chooses it: text-like files
/// (configs, code, CSV, `MLmodel`) as `text/plain`, the common media and document types by
/// extension, anything else `application/octet-stream`. Downloads are always attachments.
enum ArtifactTypes {
    /// Extensions (and extension-less names) served as plain text.
    static let text: Set<String> = ["txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
                                    "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "mlmodel", "mlproject"]

    static let byExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp", "webp": "image/webp",
        "svg": "image/svg+xml", "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/vnd.microsoft.icon",
        "html": "text/html", "htm": "text/html", "css": "text/css", "pdf": "application/pdf", "zip": "application/zip",
        "tar": "application/x-tar", "mp3": "audio/mpeg", "wav": "audio/x-wav", "mp4": "video/mp4", "webm": "video/webm",
    ]

    /// The content type of a file called `name`.
    static func contentType(of name: String) -> String {
        let ext = (name as NSString).pathExtension.lowercased()
        let key = ext.isEmpty ? name.lowercased() : ext
        if text.contains(key) { return "text/plain" }
        return byExtension[key] ?? "application/octet-stream"
    }

    /// `attachment; filename=NAME`, the name without quotes or line breaks.
    static func disposition(of name: String) -> String {
        let clean = name.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
        return "attachment; filename=\(clean)"
    }
}
