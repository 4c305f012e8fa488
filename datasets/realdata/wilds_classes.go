package realdata

// IWildCamClassNames are the 182 iWildCam species of WILDS' iwildcam_v2.0, indexed by its label y, named as the
// paper's code names them: the lower-cased English names of its src/datasets/iwildcam_metadata/labels.csv (rows
// with y < 99999). Label 0 is "empty" (no animal); a few names occur twice, as in that file.
var IWildCamClassNames = []string{
	"empty", "white-lipped peccary", "central american agouti", "lowland paca", "cougar", "south american tapir",
	"collared peccary", "red brocket", "ocelot", "ruddy quail-dove", "south american coati", "nine-banded armadillo",
	"tayra", "common opossum", "crab-eating raccoon", "jaguar", "giant anteater", "great tinamou", "tapeti",
	"jaguarundi", "margay", "brown brocket", "gray four-eyed opossum", "wild goat", "cattle cow bull", "sheep", "wolf",
	"scrub hare", "olive baboon", "common genet", "cape bushbuck", "slender mongoose", "african bush elephant",
	"gambian pouched rat", "steenbok", "striped hyena", "impala", "spotted hyena", "caracal", "wild horse", "lion",
	"common eland", "waterbuck", "common warthog", "leopard", "white-tailed mongoose", "black-backed jackal",
	"african buffalo", "plains zebra", "giraffe", "hartebeest", "vervet monkey", "günther's dik-dik", "bushpig",
	"grant's gazelle", "thomson's gazelle", "common ostrich", "aardvark", "cheetah", "white-bellied bustard", "wildcat",
	"east african oryx", "buff-crested bustard", "kori bustard", "black-bellied bustard", "great argus", "leopard cat",
	"banded palm civet", "indian muntjac", "wild boar", "sun bear", "sambar deer", "malayan porcupine",
	"asian golden cat", "tiger", "three-striped ground squirrel", "common emerald dove", "cape genet",
	"crested porcupine", "african wild dog", "rock hyrax", "dog", "unknown bird", "unknown bat", "amazonian motmot",
	"black agouti", "geotrygon", "white-nosed coati", "northern tamandua", "opossum", "crested guan", "hummingbird",
	"plain parakeet", "dromedary", "bat-eared fox", "vulturine guineafowl", "zebra", "aardwolf", "serval",
	"greater kudu", "hippopotamus", "spotted thick-knee", "masked palm civet", "marbled cat", "dhole",
	"asian water monitor", "yellow-throated marten", "banded linsang", "crested partridge", "salvadori's pheasant",
	"bronze-tailed peacock-pheasant", "sunda pangolin", "sumatran serow", "macaque", "handsome spurfowl",
	"l'hoest's monkey", "black-fronted duiker", "african brush-tailed porcupine", "chimpanzee", "blue monkey",
	"mountain squirrel", "western yellow wagtail", "yellow-whiskered greenbul", "little greenbul",
	"charming thicket rat", "forest giant squirrel", "boehm's bush squirrel", "yellow-backed duiker",
	"common rufous-nosed rat", "moustached grass warbler", "peters's striped mouse", "african wading rat",
	"stella wood mouse", "servaline genet", "side-striped jackal", "african pygmy mouse", "ross's turaco",
	"tambourine dove", "tullberg's soft-furred mouse", "big-eared swamp rat", "egyptian goose", "link rat",
	"grey-winged francolin", "olive thrush", "brocket deer", "gray fox", "ocellated turkey", "great curassow",
	"lowland paca", "baird's tapir", "raccoon", "white-tailed deer", "grey-headed dove", "central american red brocket",
	"striped hog-nosed skunk", "yucatan brown brocket", "plain chachalaca", "thomas's langur", "sunda clouded leopard",
	"sumatran hog badger", "mouse-deer", "sumatran treepie", "rufous-vented niltava", "silver-eared mesia",
	"red-billed partridge", "gallopheasants", "javan whistling thrush", "crestless fireback", "crested serpent eagle",
	"blue whistling thrush", "collared mongoose", "crab-eating fox", "motorcycle", "deer mouse", "jaguarundi",
	"bare-throated tiger heron", "blue ground dove", "red squirrel", "unknown bird", "grey-cowled wood rail",
	"unknown dove", "central american red brocket",
}

// FMoWClassNames are FMoW's 62 categories in WILDS' label order (fmow_dataset.py's categories), with their
// underscores, as the paper's code passes them to its templates.
var FMoWClassNames = []string{
	"airport", "airport_hangar", "airport_terminal", "amusement_park", "aquaculture", "archaeological_site", "barn",
	"border_checkpoint", "burial_site", "car_dealership", "construction_site", "crop_field", "dam", "debris_or_rubble",
	"educational_institution", "electric_substation", "factory_or_powerplant", "fire_station", "flooded_road",
	"fountain", "gas_station", "golf_course", "ground_transportation_station", "helipad", "hospital",
	"impoverished_settlement", "interchange", "lake_or_pond", "lighthouse", "military_facility",
	"multi-unit_residential", "nuclear_powerplant", "office_building", "oil_or_gas_facility", "park",
	"parking_lot_or_garage", "place_of_worship", "police_station", "port", "prison", "race_track", "railway_bridge",
	"recreational_facility", "road_bridge", "runway", "shipyard", "shopping_mall", "single-unit_residential",
	"smokestack", "solar_farm", "space_facility", "stadium", "storage_tank", "surface_mine", "swimming_pool",
	"toll_booth", "tower", "tunnel_opening", "waste_disposal", "water_treatment_facility", "wind_farm", "zoo",
}
