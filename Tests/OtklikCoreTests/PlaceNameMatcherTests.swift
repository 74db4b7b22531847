import Testing
import OtklikCore

@Suite struct PlaceNameMatcherTests {
    let places = [
        PlaceName(name: "Руднянский район", kind: .district),
        PlaceName(name: "Смоленский район", kind: .district),
        PlaceName(name: "Город Смоленск", kind: .district),
        PlaceName(name: "Рудня", kind: .settlement, district: "Руднянский район"),
        PlaceName(name: "Сосновка", kind: .settlement, district: "Руднянский район"),
        PlaceName(name: "Берёзовка", kind: .settlement, district: "Смоленский район"),
    ]

    func found(_ q: String, _ kind: PlaceName.Kind) -> String? {
        if case .found(let p) = PlaceNameMatcher.match(q, kind: kind, in: places) { return p.name }
        return nil
    }

    func suggested(_ q: String, _ kind: PlaceName.Kind) -> [PlaceName] {
        if case .unknown(let s) = PlaceNameMatcher.match(q, kind: kind, in: places) { return s }
        return []
    }

    @Test func exactNameInAnyCaseIsFound() {
        #expect(found("руднянский район", .district) == "Руднянский район")
        #expect(found("  РУДНЯНСКИЙ   РАЙОН ", .district) == "Руднянский район")
        #expect(found("Рудня", .settlement) == "Рудня")
    }

    @Test func yoAndYeAreTheSameLetter() {
        #expect(found("Березовка", .settlement) == "Берёзовка")
        #expect(PlaceNameMatcher.normalise("Берёзовка") == "березовка")
    }

    @Test func russianCaseEndingsMatchTheStoredName() {
        #expect(found("Рудне", .settlement) == "Рудня")
        #expect(found("Рудни", .settlement) == "Рудня")
        #expect(found("Рудню", .settlement) == "Рудня")
        #expect(found("руднянском районе", .district) == "Руднянский район")
        #expect(found("Руднянскому району", .district) == "Руднянский район")
        #expect(found("Сосновке", .settlement) == "Сосновка")
    }

    @Test func aTownIsNotItsDistrict() {
        #expect(found("Рудня", .district) == nil)
        #expect(suggested("Рудня", .district).first == PlaceName(name: "Рудня", kind: .settlement, district: "Руднянский район"))
        #expect(found("Руднянский район", .settlement) == nil)
    }

    @Test func aNearMissIsSuggestedNotAccepted() {
        #expect(found("Руднянскй район", .district) == nil)
        #expect(suggested("Руднянскй район", .district).first?.name == "Руднянский район")
        #expect(suggested("Соснвка", .settlement).first?.name == "Сосновка")
    }

    @Test func theFirstWordsOfANameAreSuggested() {
        #expect(suggested("Руднянский", .district).map(\.name).contains("Руднянский район"))
    }

    @Test func nothingCloseSuggestsNothing() {
        #expect(suggested("Вязьма", .district).isEmpty)
    }

    @Test func theMessageNamesTheKindAndTheSettlementsDistrict() {
        let e = UnknownPlace(field: "district", query: "Рудня", kind: .district,
                             suggestions: suggested("Рудня", .district), known: [])
        #expect(e.description == "district: нет района «Рудня». Возможно, вы имели в виду населённый пункт «Рудня» (Руднянский район)?")
    }

    @Test func editDistanceCountsCharacters() {
        #expect(PlaceNameMatcher.editDistance("рудня", "рудне") == 1)
        #expect(PlaceNameMatcher.editDistance("", "абв") == 3)
        #expect(PlaceNameMatcher.editDistance("кот", "ток") == 2)
    }
}

@Suite struct RegionCheckTests {
    let check = RegionCheck(districts: BBox(minLon: 31.0, minLat: 54.7, maxLon: 32.2, maxLat: 55.1))

    @Test func pointsInsideOrWithinTheMarginPass() throws {
        try check.validate(GeoPoint(lon: 32.05, lat: 54.78))
        try check.validate(GeoPoint(lon: 32.6, lat: 55.5))
    }

    @Test func swappedCoordinatesAreNamedAsSuch() {
        #expect(throws: OutsideRegion.self) { try check.validate(GeoPoint(lon: 54.78, lat: 32.05)) }
        do { try check.validate(GeoPoint(lon: 54.78, lat: 32.05), path: "feature") } catch {
            #expect(error.swappedInside)
            #expect(error.description.hasPrefix("feature: точка вне региона; возможно, перепутаны широта и долгота?"))
        }
    }

    @Test func aFarPointGivesTheExtent() {
        do { try check.validate(GeoPoint(lon: -17.4, lat: 14.7)) } catch {
            #expect(!error.swappedInside)
            #expect(error.description == "точка вне региона (долгота 30.5…32.7, широта 54.2…55.6)")
        }
    }

    @Test func noDistrictsNoCheck() {
        #expect(RegionCheck.covering([]) == nil)
    }
}
