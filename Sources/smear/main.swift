// smear: white-blood-cell classification with unsupervised domain adaptation.
// For now the executable runs the demo job; the REPL and script runner come with the language issue.
import Foundation

let version = "0.1.0"
let usage = """
usage: smear demo [--data DIR] [--steps N] [--batch N] [--size PX] [--width W] [--seed S]
       smear train --source DIR --target DIR [--method mdd|dann|entmin|source_only] ...  (smear train --help)
       smear --version | --help

  demo   trains a ResNet-18 on the bundled PBC sample (data/sample/pbc_barcelona) and reports its
         accuracy on held-out PBC images and on another lab's images (data/sample/bccd)
"""

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("smear: \(message)\n".utf8))
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { print(usage); exit(0) }
args.removeFirst()
switch command {
case "--help", "-h": print(usage)
case "--version": print("smear \(version)")
case "demo":
    var o = DemoOptions()
    while !args.isEmpty {
        let key = args.removeFirst()
        guard let value = args.first else { fail("option \(key) needs a value\n\(usage)", code: 64) }
        args.removeFirst()
        switch key {
        case "--data": o.data = URL(fileURLWithPath: value)
        case "--steps", "--batch", "--size", "--width", "--seed":
            guard let n = Int(value), n > 0 else { fail("option \(key) needs a positive integer, got '\(value)'", code: 64) }
            switch key {
            case "--steps": o.steps = n
            case "--batch": o.batch = n
            case "--size": o.size = n
            case "--width": o.width = n
            default: o.seed = UInt64(n)
            }
        default: fail("unknown option '\(key)'\n\(usage)", code: 64)
        }
    }
    do { try runDemo(o) } catch { fail("\(error)", code: 70) }
case "train":
    do { try runTrain(args) }
    catch let e as CLIError { fail("\(e)\n\(trainUsage)", code: 64) }
    catch { fail("\(error)", code: 70) }
default:
    fail("unknown command '\(command)'\n\(usage)", code: 64)
}
