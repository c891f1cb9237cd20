"""Training concepts: what applicants ship, in their words, with the EU and US entry it falls under.

Each concept gives entry-level labels for both jurisdictions (``NOT_LISTED`` where no
entry applies; for the US that is EAR99), a few ways of naming the product and a few
specification fragments. ``generate.py`` combines them with templates. The held-out
evaluation set is written separately and by hand; nothing here is copied from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    key: str
    eu: str
    us: str
    nouns: tuple[str, ...]
    specs: tuple[str, ...] = ()


def c(key: str, eu: str, us: str, nouns: str, specs: str = "") -> Concept:
    """Nouns and specs are written one per line to keep the table readable."""
    split = lambda s: tuple(x.strip() for x in s.strip().splitlines() if x.strip())  # noqa: E731
    return Concept(key, eu, us, split(nouns), split(specs))


CONCEPTS: list[Concept] = [
    # ---------------------------------------------------------------- dual-use, same code
    c(
        "net-encryptor",
        "5A002",
        "5A002",
        """
        layer 2 Ethernet encryptor
        IP network encryption appliance
        hardware security module
        link encryption unit for leased lines
        encrypting VPN gateway appliance
        secure voice encryption device
        """,
        """
        AES-256 bulk encryption at 10 Gbit/s
        RSA 4096 and elliptic-curve key agreement
        256-bit symmetric keys, FIPS 140-3 level 3
        quantum-safe key exchange, 40 Gbps line rate
        """,
    ),
    c(
        "crypto-software",
        "5D002",
        "5D002",
        """
        file and disk encryption software
        encryption software development kit
        VPN concentrator software licence
        key management server software
        secure messaging server software with end-to-end encryption
        """,
        """
        AES-256 and RSA-3072
        custom cryptographic library, 256-bit keys
        not mass-market, sold to government integrators
        elliptic curve P-384 signatures and encryption
        """,
    ),
    c(
        "intercept",
        "5A001",
        "5A001",
        """
        IMSI catcher
        mobile network interception system
        cellular jamming system
        lawful interception probe for IP networks
        GSM/LTE active interception unit
        """,
        """
        covers 2G, 3G, 4G bands
        extracts subscriber identifiers and intercepts calls
        jams handsets in a 500 m radius
        indexing of IP traffic for surveillance
        """,
    ),
    c(
        "thermal-camera",
        "6A003",
        "6A003",
        """
        cooled thermal imaging camera core
        uncooled thermal camera module
        high-speed framing camera
        long-wave infrared surveillance camera
        mid-wave infrared camera with focal plane array
        """,
        """
        640x512 microbolometer, 30 Hz frame rate
        more than 1,000,000 frames per second
        InSb detector, 3-5 µm, 60 Hz
        streak camera with 50 ns temporal resolution
        """,
    ),
    c(
        "ir-detector",
        "6A002",
        "6A002",
        """
        infrared focal plane array
        third-generation image intensifier tube
        InGaAs short-wave infrared detector array
        space-qualified optical detector
        HgCdTe detector
        """,
        """
        peak response between 1,200 nm and 30,000 nm
        GaAs photocathode, gated
        1280x1024 pixels, 15 µm pitch
        linear array for satellite payload
        """,
    ),
    c(
        "laser",
        "6A005",
        "6A005",
        """
        fibre laser source
        industrial CO2 laser
        ultrafast pulsed laser
        continuous-wave multimode laser
        high-power diode laser stack
        """,
        """
        20 kW CW output power
        10 kW continuous output at 10.6 µm
        peak power above 1 GW, femtosecond pulses
        6 kW output, wall-plug efficiency above 30%
        """,
    ),
    c(
        "sonar",
        "6A001",
        "6A001",
        """
        towed hydrophone array
        diver detection sonar
        hydrophone with high sensitivity
        bathymetric side-scan sonar system
        underwater acoustic positioning system
        """,
        """
        operates to 1,000 m depth
        hydrophone sensitivity better than -180 dB
        detection range over 800 m
        swath width 500 m
        """,
    ),
    c(
        "radar",
        "6A008",
        "6A008",
        """
        synthetic aperture radar payload
        airborne lidar for bathymetric survey
        millimetre-wave radar sensor module
        space-qualified radar altimeter
        phased-array radar with electronic steering
        """,
        """
        operating at 94 GHz with 200 mW average power
        laser radar with 1 m range resolution
        SAR imaging from orbit
        pulse compression and frequency agility
        """,
    ),
    c(
        "magnetometer",
        "6A006",
        "6A006",
        """
        optically pumped magnetometer
        SQUID magnetometer
        magnetic gradiometer for ordnance detection
        fluxgate magnetometer of high sensitivity
        """,
        """
        noise floor below 0.05 nT rms per square-root Hz
        superconducting sensor
        towed behind an aircraft
        """,
    ),
    c(
        "accelerometer",
        "7A001",
        "7A001",
        """
        navigation-grade accelerometer
        quartz servo accelerometer
        linear accelerometer for inertial systems
        """,
        """
        bias stability better than 130 micro g
        scale factor stability 130 ppm
        rated for 100 g
        """,
    ),
    c(
        "gyro",
        "7A002",
        "7A002",
        """
        fibre optic gyroscope
        ring laser gyro
        hemispherical resonator gyroscope
        angular rate sensor
        """,
        """
        bias stability 0.5 degree per hour
        angle random walk 0.002 deg per root hour
        rated for 2,500 degrees per second
        """,
    ),
    c(
        "ins",
        "7A003",
        "7A003",
        """
        inertial navigation system
        GNSS-aided inertial measurement unit
        attitude and heading reference system for aircraft
        strapdown INS for surveying vessels
        """,
        """
        position error 0.8 nautical mile per hour
        unaided navigation accuracy 1 NM/h
        integrated fibre optic gyros
        """,
    ),
    c(
        "gnss-anti-jam",
        "7A005",
        "7A005",
        """
        GNSS receiver with anti-jam antenna array
        controlled reception pattern antenna
        satellite navigation receiver with decryption
        adaptive antenna system for GPS
        """,
        """
        null steering against jammers
        decrypts encrypted ranging codes
        7 element adaptive array
        """,
    ),
    c(
        "uav-long",
        "9A012",
        "9A012",
        """
        fixed-wing unmanned aircraft for mapping
        VTOL survey drone
        long-range inspection UAV
        unmanned aerial vehicle for pipeline patrol
        hybrid VTOL drone
        """,
        """
        endurance 2 hours, flies beyond line of sight
        90 minutes flight time, autonomous waypoint navigation
        4 h endurance, operates in 50 km/h gusts
        range 100 km with satellite datalink
        """,
    ),
    c(
        "satellite",
        "9A004",
        "9A515",
        """
        commercial communications satellite
        earth observation satellite
        satellite bus
        6U CubeSat platform
        small satellite for remote sensing
        """,
        """
        geostationary, 15 years design life
        sun-synchronous orbit, 1 m resolution
        propulsion module and star trackers included
        """,
    ),
    c(
        "machine-tool",
        "2B001",
        "2B001",
        """
        5-axis machining centre
        CNC turning centre
        jig grinding machine
        5-axis milling machine
        CNC horizontal boring mill
        """,
        """
        positioning accuracy 4 µm along linear axes
        five axes simultaneously contouring
        unidirectional positioning repeatability 1.1 µm
        spindle run-out under 0.5 µm
        """,
    ),
    c(
        "cmm",
        "2B006",
        "2B006",
        """
        coordinate measuring machine
        laser interferometer system
        linear displacement measuring system
        computer controlled dimensional inspection machine
        """,
        """
        maximum permissible error 1.5 µm
        resolution 0.2 µm over 200 mm
        3D length measuring error 1.7+L/300 µm
        """,
    ),
    c(
        "robot",
        "2B007",
        "2B007",
        """
        industrial robot for explosive atmospheres
        radiation-hardened manipulator robot
        robot designed for underwater use
        """,
        """
        withstands 50,000 Gy total dose
        certified for hazardous explosive environments
        operates at 150 °C
        """,
    ),
    c(
        "chem-equipment",
        "2B350",
        "2B350",
        """
        glass-lined reaction vessel
        Hastelloy heat exchanger
        PTFE-lined centrifugal pump with double mechanical seal
        tantalum distillation column
        multi-walled piping with leak detection
        nickel alloy storage tank
        """,
        """
        volume 500 litres, wetted parts of nickel alloy
        all wetted surfaces of fluoropolymer
        heat transfer area 0.5 m2, silicon carbide tubes
        internal volume 1.2 m3
        """,
    ),
    c(
        "bio-equipment",
        "2B352",
        "2B352",
        """
        steam-sterilizable fermenter
        continuous-flow centrifugal separator
        cross-flow filtration unit
        freeze dryer sterilizable in place
        class III biosafety cabinet
        aerosol inhalation chamber
        """,
        """
        20 litre working volume, sterilizable in situ
        flow rate over 100 litres per hour, aerosol-free
        filtration area 5 m2
        ice condenser capacity 25 kg in 24 h
        """,
    ),
    c(
        "precursors",
        "1C350",
        "1C350",
        """
        thiodiglycol
        triethanolamine
        phosphorus trichloride
        sodium cyanide
        potassium fluoride
        dimethyl methylphosphonate
        """,
        """
        drums of 200 kg, 99% purity
        CAS number listed on the safety data sheet
        industrial grade, 25 kg bags
        """,
    ),
    c(
        "pathogens",
        "1C351",
        "1C351",
        """
        Bacillus anthracis strain
        ricin
        botulinum toxin type A
        live Ebola virus culture
        Francisella tularensis isolate
        """,
        """
        reference culture in vials
        1 mg lyophilised for research
        shipped on dry ice
        """,
    ),
    c(
        "cbrn-protection",
        "1A004",
        "1A004",
        """
        full-face CBRN gas mask
        chemical protective suit
        chemical warfare agent detector
        nerve agent detection paper kit
        """,
        """
        for civil defence and first responders
        rated against chemical warfare agents
        not made to military standards
        """,
    ),
    c(
        "carbon-fibre",
        "1C010",
        "1C010",
        """
        carbon fibre tow
        PAN-based carbon fibre
        prepreg of carbon fibre
        aramid fibre yarn
        """,
        """
        tensile modulus 290 GPa, tensile strength 5.5 GPa
        specific modulus above 14.65 x 10^6 m
        12k filament tow
        """,
    ),
    c(
        "rf-absorber",
        "1C001",
        "1C001",
        """
        radar absorbing material
        microwave absorbing foam
        electromagnetic absorber paint
        """,
        """
        absorbs 2 to 18 GHz
        reflectivity reduction of 20 dB
        """,
    ),
    c(
        "filament-winding",
        "1B001",
        "1B001",
        """
        filament winding machine
        automated fibre placement machine
        tape laying machine
        """,
        """
        3 coordinated axes, computer controlled
        for composite pressure vessels and rocket cases
        """,
    ),
    c(
        "electronic-components",
        "3A001",
        "3A001",
        """
        radiation-hardened microprocessor
        high-speed analogue-to-digital converter
        GaN MMIC power amplifier
        travelling wave tube amplifier
        field programmable gate array
        """,
        """
        12-bit resolution at 3 GS/s
        10 GHz, 40 W output
        total dose tolerance 500 krad
        operating 27 to 31 GHz
        """,
    ),
    c(
        "test-equipment",
        "3A002",
        "3A002",
        """
        signal analyser
        microwave signal generator
        vector network analyser
        space-qualified rubidium atomic clock
        digital storage oscilloscope
        """,
        """
        frequency range up to 50 GHz, 40 MHz real-time bandwidth
        110 GHz
        phase noise better than -120 dBc/Hz
        long-term stability 1 x 10^-11 per month
        """,
    ),
    c(
        "semi-fab",
        "3B001",
        "3B001",
        """
        plasma etching system
        atomic layer deposition tool
        ion implanter
        EUV lithography scanner
        epitaxial growth reactor
        """,
        """
        for 300 mm wafers
        CVD of tungsten films
        resolution 13 nm
        MOCVD for GaN
        """,
    ),
    c(
        "switching-devices",
        "3A228",
        "3A228",
        """
        triggered spark gap
        krytron
        cold cathode tube
        """,
        """
        anode delay under 15 µs, rated 2 kA peak
        for pulsed power systems
        """,
    ),
    c(
        "mass-spec",
        "3A233",
        "3A233",
        """
        inductively coupled plasma mass spectrometer
        magnetic sector mass spectrometer
        thermal ionisation mass spectrometer
        """,
        """
        mass range above 230 u
        resolution better than 2 parts in 230
        UF6 ion source
        """,
    ),
    c(
        "pressure-transducer",
        "2B230",
        "2B230",
        """
        capacitance manometer
        absolute pressure transducer
        """,
        """
        range 0 to 13 kPa, nickel alloy sensing element
        accuracy better than 1% full scale
        """,
    ),
    c(
        "intrusion-software",
        "4D004",
        "4D004",
        """
        intrusion software for covert implant delivery
        exploit delivery framework
        remote device monitoring implant platform
        """,
        """
        bypasses endpoint protection and extracts data
        command and control of intrusion software
        """,
    ),
    c(
        "soft-armour",
        "1A005",
        "1A005",
        """
        concealable police vest
        soft ballistic body armour
        stab and bullet resistant vest
        """,
        """
        NIJ level IIIA
        made to civil police standards
        aramid panels
        """,
    ),
    c(
        "submersible",
        "8A001",
        "8A001",
        """
        remotely operated vehicle
        autonomous underwater vehicle
        manned submersible
        """,
        """
        depth rating 3,000 m
        untethered, 1,000 m depth
        """,
    ),
    # ---------------------------------------------------------------- military
    c(
        "automatic-rifle",
        "ML1",
        "I",
        """
        assault rifle
        general purpose machine gun
        sub-machine gun
        fully automatic carbine
        sound suppressor for military rifles
        """,
        """
        5.56 x 45 mm, select fire
        7.62 mm belt-fed
        9 mm, fully automatic
        for armed forces
        """,
    ),
    c(
        "bolt-rifle",
        "ML1",
        "0A501",
        """
        bolt-action hunting rifle
        precision sporting rifle, bolt action
        rimfire target rifle, bolt action
        """,
        """
        calibre .308 Win
        6.5 Creedmoor
        for civilian hunters
        """,
    ),
    c(
        "semi-pistol",
        "ML1",
        "0A507",
        """
        semi-automatic pistol
        9 mm handgun
        semi-automatic service pistol
        """,
        """
        9x19 mm, 17 round magazine
        .45 ACP
        polymer frame
        """,
    ),
    c(
        "artillery",
        "ML2",
        "II",
        """
        towed howitzer
        mortar system
        30 mm automatic cannon
        self-propelled gun barrel
        """,
        """
        155 mm, 52 calibre
        81 mm, smooth bore
        range 40 km
        """,
    ),
    c(
        "military-ammo",
        "ML3",
        "III",
        """
        artillery projectiles
        tank ammunition
        linked machine gun cartridges for armed forces
        fuzes for artillery shells
        """,
        """
        155 mm high explosive
        120 mm APFSDS
        7.62 mm NATO, link belts
        """,
    ),
    c(
        "munitions",
        "ML4",
        "IV",
        """
        anti-tank guided missile
        air-to-air missile
        hand grenades
        anti-personnel landmines
        torpedo
        unguided rockets
        """,
        """
        range 4 km, tandem warhead
        infrared homing
        fragmentation, for military use
        70 mm
        """,
    ),
    c(
        "fire-control",
        "ML5",
        "XII",
        """
        naval fire control system
        tank fire control computer
        thermal weapon sight
        laser rangefinder for artillery fire control
        """,
        """
        ballistic computation and target tracking
        for 120 mm main gun
        for military rifles
        """,
    ),
    c(
        "armoured-vehicle",
        "ML6",
        "VII",
        """
        main battle tank
        armoured personnel carrier
        infantry fighting vehicle
        armoured recovery vehicle
        """,
        """
        with remote weapon station
        tracked, STANAG 4569 level 4
        8x8 wheeled, amphibious
        """,
    ),
    c(
        "mil-vehicle-parts",
        "ML6",
        "0A606",
        """
        track links specially designed for armoured vehicles
        road wheels for tracked military vehicles
        transmission for military armoured vehicles
        """,
        """
        spare parts for APC fleet
        designed for military tracked vehicles
        """,
    ),
    c(
        "chem-agents",
        "ML7",
        "XIV",
        """
        sarin
        VX nerve agent
        sulfur mustard
        military chemical agent dissemination equipment
        """,
        """
        chemical warfare agent
        for military use
        """,
    ),
    c(
        "explosives",
        "ML8",
        "V",
        """
        RDX
        HMX
        CL-20
        military double-base propellant
        TATB
        """,
        """
        military grade, 25 kg
        for munitions production
        """,
    ),
    c(
        "warship",
        "ML9",
        "VI",
        """
        frigate
        offshore patrol vessel with gun mounting
        mine countermeasure vessel
        naval corvette
        """,
        """
        hull designed to military standards
        with weapons mountings
        signature reduction features
        """,
    ),
    c(
        "mil-aircraft",
        "ML10",
        "VIII",
        """
        fighter aircraft
        military transport aircraft
        attack helicopter
        military reconnaissance UAV
        armed unmanned aircraft
        """,
        """
        for air forces
        with hardpoints for weapons
        specially designed for military use
        """,
    ),
    c(
        "mil-aircraft-parts",
        "ML10",
        "9A610",
        """
        landing gear for military transport aircraft
        cockpit panels specially designed for military aircraft
        fuel tanks for military helicopters
        """,
        """
        specially designed for military aircraft
        spare parts for air force fleet
        """,
    ),
    c(
        "mil-aero-engine",
        "ML10",
        "XIX",
        """
        turbofan engine for fighter aircraft
        afterburning military jet engine
        """,
        """
        for combat aircraft
        with thrust vectoring
        """,
    ),
    c(
        "mil-electronics",
        "ML11",
        "XI",
        """
        military tactical radio
        electronic warfare jammer
        signals intelligence receiver
        military communications jammer
        military command and control system
        """,
        """
        frequency hopping with embedded COMSEC
        for army use
        specially designed for military use
        """,
    ),
    c(
        "mil-armour",
        "ML13",
        "X",
        """
        ceramic body armour plates
        military body armour
        hard armour inserts
        """,
        """
        NIJ level IV
        military specification
        stops armour-piercing rounds
        """,
    ),
    c(
        "mil-helmet",
        "ML13",
        "1A613",
        """
        combat helmet
        military ballistic helmet
        """,
        """
        made to military standards, aramid shell
        NIJ IIIA
        """,
    ),
    c(
        "mil-simulator",
        "ML14",
        "IX",
        """
        fighter pilot training simulator
        weapons training simulator
        military driving simulator for tanks
        """,
        """
        specially designed for military training
        for air force pilots
        """,
    ),
    c(
        "night-vision",
        "ML15",
        "XII",
        """
        night vision goggles
        military image intensifier binoculars
        military thermal imaging binoculars
        """,
        """
        Gen 3, for military use
        specially designed for armed forces
        """,
    ),
    c(
        "dew",
        "ML19",
        "XVIII",
        """
        high energy laser weapon
        laser dazzler for military use
        counter-drone laser weapon
        """,
        """
        directed energy weapon
        50 kW beam
        """,
    ),
    c(
        "mil-submarine",
        "ML9",
        "XX",
        """
        military submarine
        swimmer delivery vehicle
        """,
        """
        for navies
        specially designed for military use
        """,
    ),
    c(
        "mil-satellite",
        "ML11",
        "XV",
        """
        military reconnaissance satellite
        military communications satellite
        """,
        """
        specially designed for military use
        for defence ministry
        """,
    ),
    # ---------------------------------------------------------------- civil twins and negatives
    c(
        "mass-market-it",
        "NOT_LISTED",
        "5A992",
        """
        laptop computer
        smartphone
        tablet computer
        home wireless router
        network attached storage for home use
        """,
        """
        14-inch screen, 16 GB RAM
        retail packaging
        mass-market product with standard encryption
        WPA3
        """,
    ),
    c(
        "consumer-drone",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        consumer camera drone
        toy quadcopter
        mini drone for hobby use
        """,
        """
        249 g, 30 minutes flight time
        line of sight, 4K camera
        range 300 m
        """,
    ),
    c(
        "civil-aircraft",
        "NOT_LISTED",
        "9A991",
        """
        civil airliner
        business jet
        civil helicopter
        light aircraft
        """,
        """
        certified by civil aviation authority
        150 seats
        for air ambulance service
        """,
    ),
    c(
        "civil-helmet",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        bicycle helmet
        motorcycle helmet
        construction hard hat
        """,
        """
        EN 1078
        ECE 22.06
        """,
    ),
    c(
        "civil-vehicle",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        pick-up truck
        agricultural tractor
        passenger car
        fishing trawler
        """,
        """
        diesel, 4x4
        for farming
        """,
    ),
    c(
        "household-chem",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        household bleach
        paracetamol tablets
        ethanol for disinfection
        table salt
        shampoo
        """,
        """
        retail bottles
        pharmacy packs
        """,
    ),
    c(
        "ordinary-goods",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        office chairs
        cotton T-shirts
        ceramic floor tiles
        kitchen knives
        garden hoses
        children's toys
        printed books
        LED light bulbs
        coffee machines
        bicycle spare parts
        leather shoes
        plastic food containers
        hand tools set
        cordless drill
        """,
        """
        packed on pallets
        for retail sale
        assorted sizes
        """,
    ),
    c(
        "ordinary-optics",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        plano-convex lens
        optical mounting post
        laboratory microscope
        camera lens
        reading glasses
        """,
        """
        N-BK7 glass
        for teaching
        """,
    ),
    c(
        "civil-optics",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        binoculars for birdwatching
        compact hiking binoculars
        spotting scope for nature observation
        opera glasses
        daylight monocular for travellers
        """,
        """
        8x42, roof prism
        waterproof, retail box
        for tourists
        """,
    ),
    c(
        "ordinary-industrial",
        "NOT_LISTED",
        "NOT_LISTED",
        """
        cast iron centrifugal water pump
        stainless steel milk tank
        3-axis hobby CNC router for wood
        desktop 3D printer
        benchtop laboratory centrifuge
        diesel generator set
        """,
        """
        for agricultural use
        standard commercial product
        """,
    ),
]
