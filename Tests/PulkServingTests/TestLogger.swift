import Foundation
import Logging

extension Logger {
    /// The servers these tests start log at warning unless LOG_LEVEL asks for more (as scripts/test
    /// sets it), so a test run does not end in hundreds of request lines.
    static var test: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}
