// The plugin entry points of libSmearIM.so (see SmearAdapt/Plugins.swift).
import IMMethod
import SmearAdapt

@_cdecl("smear_plugin_abi_version")
public func smearPluginABIVersion() -> Int32 { pluginABIVersion }

@_cdecl("smear_plugin_descriptor")
public func smearPluginDescriptor() -> UnsafeMutableRawPointer { Unmanaged.passRetained(InformationMaximization.descriptor).toOpaque() }
