// smear: white-blood-cell classification with unsupervised domain adaptation.
// For now the executable runs the demo job; the REPL and script runner come with the language issue.
import Foundation
import SmearNN
import SmearTensor

let version = "0.1.0"
let usage = """
usage: smear demo [--steps N] [--batch N] [--size PX] [--width W] [--seed S]
       smear --version | --help

  demo   trains a small ResNet-18 on synthetic images for a few steps and prints the losses
"""

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { print(usage); exit(0) }
args.removeFirst()
switch command {
case "--help", "-h": print(usage)
case "--version": print("smear \(version)")
case "demo":
    var options: [String: Int] = ["--steps": 30, "--batch": 16, "--size": 32, "--width": 16, "--seed": 1]
    while !args.isEmpty {
        let key = args.removeFirst()
        guard options[key] != nil, let value = args.first.flatMap(Int.init) else {
            FileHandle.standardError.write(Data("smear demo: bad option '\(key)'\n\(usage)\n".utf8))
            exit(64)
        }
        options[key] = value
        args.removeFirst()
    }
    runDemo(steps: options["--steps"]!, batch: options["--batch"]!, size: options["--size"]!,
            width: options["--width"]!, seed: UInt64(options["--seed"]!))
default:
    FileHandle.standardError.write(Data("smear: unknown command '\(command)'\n\(usage)\n".utf8))
    exit(64)
}
