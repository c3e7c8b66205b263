import ArgumentParser
import PulkServing
import PulkFrame

/// The `pulk` command: a thin shell over the Pulk libraries.
@main
struct Pulk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pulk",
        abstract: "Pulk: the machine-learning lifecycle in one binary.",
        discussion: "State lives in a workspace folder: --workspace DIR, else $PULK_HOME, else ./pulk-workspace.",
        subcommands: [DataCommand.self, TrainCommand.self, PredictCommand.self, RecommendCommand.self, AutoMLCommand.self, EvaluateCommand.self, ExplainCommand.self, ExportCommand.self, DriftCommand.self, MonitorCommand.self, FeedbackCommand.self, ScoreCommand.self, RunsCommand.self, ExperimentsCommand.self, ModelsCommand.self, ServerCommand.self, ServeCommand.self, EndpointsCommand.self, DeployCommand.self, WorkspaceCommand.self, LoginCommand.self, LogoutCommand.self, UsersCommand.self, TokensCommand.self, GrantsCommand.self, AuditCommand.self, WebhooksCommand.self])

    static let version = "0.1.0"

    // `pulk --version` only: ArgumentParser would show a configured version flag on every subcommand.
    @Flag(help: "Show Pulk's version.") var version = false

    func run() async throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print(Self.version)
    }

    static func main() async {
        Allocator.tuneForColumnarWork()
        // The serving commands run Swift concurrency on NIO's event loops: a request is read, scored
        // and answered on one thread, with no hop to the concurrency pool and back.
        if let command = CommandLine.arguments.dropFirst().first, command == "serve" || command == "server" {
            PortCheck.runConcurrencyOnEventLoops()
        }
        await Self.main(nil)
    }
}
