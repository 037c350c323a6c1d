#!/bin/sh
# placeholder until wgdpctl lands
exit 77
