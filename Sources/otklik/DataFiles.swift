import Foundation
import OtklikServices

extension GlobalOptions {
    /// A data file: from the data folder when it is there (data/ in the working folder, --data-dir, env
    /// OTKLIK_DATA), else the copy built into the binary; `origin` names which, for messages.
    func dataFile(_ name: String) throws -> (data: Data, origin: String) {
        let named = dataDir ?? ProcessInfo.processInfo.environment["OTKLIK_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        if let named {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: named, isDirectory: &isFolder), isFolder.boolValue else {
                throw CLIError("no data folder at \(named); leave out --data-dir (and OTKLIK_DATA) to use the data built into otklik")
            }
        }
        let path = dataPath + "/" + name
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
            return (data, path)
        }
        guard let data = BuiltInData.contents(name) else { throw CLIError("cannot read \(path)") }
        return (data, "\(name) (built in)")
    }
}
