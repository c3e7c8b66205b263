import ArgumentParser

/// `pulk data …`: register, inspect, export, remove and profile dataset versions.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Register, inspect, export, remove and profile dataset versions.",
        subcommands: [DataAdd.self, DataList.self, DataShow.self, DataVersions.self, DataExport.self, DataRemove.self,
                      DataProfile.self])
}
